# Where the owner publishes releases (a directory with `versions`, `versions.sig`
# and the release archives), and the key that signs them.
UPDATE_URL = "https://updates.example.com/firmware"
PUBKEY = open("/app/pubkey.pem").read()
