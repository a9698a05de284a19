"""The camera register: sites, areas, clients and cameras with their privacy records."""
