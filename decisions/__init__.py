"""The catalogues a decision draws on: the criteria a refusal rests on and the standard
conditions an approval may attach. Kept by senior officials, history-tracked, never deleted
(retired instead). The decisions themselves are ``licenses.services``'s."""
