"""Ferry's Cinder volume driver: ``volume_driver = ferry_cinder.driver.FerryRBDDriver``."""
