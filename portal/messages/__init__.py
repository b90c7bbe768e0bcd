"""Messages (berichten): an inbox of events per user. Lowest floor: any area may notify."""
