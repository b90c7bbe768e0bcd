"""Security checks named by the OWASP ASVS 4.0.3 (level 2) requirement each one covers.

One module per ASVS chapter: test_v3_sessions (session management), test_v4_access_control,
test_v5_input_output, test_v12_files, test_v14_headers (configuration: HTTP security headers).
Each test's docstring starts with the requirement number(s) it checks.
"""
