"""Security checks named by the OWASP ASVS 4.0.3 (level 2) requirement each one covers.

One module per ASVS chapter: test_v3_sessions (session management; added with the server-side
sessions of issue 9), test_v4_access_control, test_v5_input_output (also V7.3.1, one log event
per line), test_v12_files, test_v14_headers (configuration: HTTP security headers). Each test's
name and docstring start with the requirement number(s) it checks.
"""
