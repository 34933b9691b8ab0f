"""How the catalog reacts to other contexts' events."""
