"""The sections of the page, one module each, in the order `nextword.page.app` draws them."""
