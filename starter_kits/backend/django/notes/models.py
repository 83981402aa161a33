"""Your models go here (then: python manage.py makemigrations notes)."""
