# Example sdboot application. The bootloader runs this file from the SD card root.
# It checks the owner's server for an update and confirms the release it runs.
import machine
import sdboot

from app import config, greeting

print(greeting.message(sdboot.version()))

# Confirm only once the application has shown it works: an unconfirmed release
# is rolled back by the bootloader after a few boots.
sdboot.confirm()

ota = sdboot.OTA(config.UPDATE_URL, pubkey=config.PUBKEY)
if ota.install_update_if_available():
    machine.reset()  # the bootloader installs the staged release on the next boot
