"""Tickets. The models arrive with the email and console ticket work; the choices are here."""
