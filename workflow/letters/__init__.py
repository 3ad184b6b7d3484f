"""Letters as a product of the pure domain: normalised typed text, typed orders, composed printed
text (sentences and articles are data in letter_templates/), and the element check on printed text."""
