"""What both HTTP roles share: the ``Authorization: Token`` header and running an app on loopback."""
