"""Notes API on aiohttp + aiosqlite."""
