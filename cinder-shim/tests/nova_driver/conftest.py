"""Nova tests: the real LibvirtDriver code from python3-nova, libvirt guest
and host objects mocked, the agent faked on 127.0.0.1."""
