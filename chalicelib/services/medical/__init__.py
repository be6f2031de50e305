"""Injury direct pay, the flow: the application and the officer's decision (`applications`), the
hospital's scan and bills (`hospital`), the ledger (`ledger`), the workflow's steps (`steps`);
`grants` reaches the QR signing and the notice PDF, `payers` the insurer and fund side."""
