"""One-click rescue: the order's case-side use cases (`orders`), the workflow's steps (`steps`),
the tow driver's calls (`driver`), all over the shared order rules in `order`."""
