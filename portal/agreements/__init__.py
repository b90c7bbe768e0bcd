"""Care providers and care agreements (zorgovereenkomsten): model kinds, versions, signing, approval."""
