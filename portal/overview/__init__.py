"""The start page: usage, prognosis and warnings of a household. Reads the areas below it."""
