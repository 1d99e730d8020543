// The XMPP tests each run a Prosody and a bot; run the classes one after another so they do not compete for two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
