"""Holds on to memory until something gives."""

if __name__ == "__main__":
    hoard = []
    while True:
        hoard.append(bytearray(8 * 1024 * 1024))
