"""The rules of the system. Services take their stores as arguments (see each ``*Store``)."""
