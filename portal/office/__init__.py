"""The payment office (beheerder): payment runs, SEPA files, paper intake."""
