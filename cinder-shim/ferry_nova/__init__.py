"""Ferry's Nova compute driver (libvirt): swap_volume through a Ferry live mirror.

``compute_driver = ferry_nova.driver.FerryLibvirtDriver``.
"""
