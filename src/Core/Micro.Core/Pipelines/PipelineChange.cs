namespace Micro.Pipelines;

/// <summary>One change to a pipeline, registered by the builder and applied in order when the client or server is made.</summary>
internal sealed record PipelineChange<TMiddleware>(Action<MicroPipeline<TMiddleware>> Apply)
    where TMiddleware : Delegate
{
    public static MicroPipeline<TMiddleware> ApplyAll(MicroPipeline<TMiddleware> pipeline, IEnumerable<PipelineChange<TMiddleware>> changes)
    {
        foreach (var change in changes)
        {
            change.Apply(pipeline);
        }

        return pipeline;
    }
}
