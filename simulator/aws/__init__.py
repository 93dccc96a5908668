"""AWS's own service models (botocore's shipped JSON) as the judge of every AWS-shaped document."""
