"""The web side for people (not Telegram's webhook, which is bot.web): the HR dashboard for
administrators and unit heads, and the SKP table as a Telegram Mini App."""
