"""The Telegram adapter, and (in ``qunzhu.adapters.telegram.emulator``) a Bot API server on loopback
to test it against. Importing this package must stay cheap: nothing here imports aiogram."""
