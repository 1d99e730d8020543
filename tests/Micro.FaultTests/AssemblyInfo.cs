// Fault tests put load on the machine and measure it: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
