"""How the orders context reacts to other contexts' events."""
