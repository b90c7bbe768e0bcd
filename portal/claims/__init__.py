"""Hour sheets (urenbriefjes / declaraties): preparing, reviewing, submitting, checking."""
