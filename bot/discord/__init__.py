"""The Discord bot: thin cogs over the detection core and the storage layer."""
