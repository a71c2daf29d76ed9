def message(version):
    return "hello from sdboot example app, release %s" % version
