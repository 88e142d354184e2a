"""Telling the buyer: notices rendered from templates in their locale, sent by e-mail and SMS."""
