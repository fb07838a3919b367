"""The household archive card (建档立卡) and everything kept on it."""
