namespace Micro.Pipelines;

/// <summary>
/// The named stages of the client or the server pipeline, outermost first. The built-in stages come in a documented
/// order (<see cref="Micro.Client.ClientStages"/>, <see cref="Micro.Server.ServerStages"/>); a user inserts a stage
/// before or after a named one, replaces a stage, or removes one. A stage is a middleware: it wraps the next stage.
/// </summary>
/// <typeparam name="TMiddleware"><see cref="Micro.Client.ClientMiddleware"/> or <see cref="Micro.Server.ServerMiddleware"/>.</typeparam>
public sealed class MicroPipeline<TMiddleware>
    where TMiddleware : Delegate
{
    private readonly List<Entry> _stages;
    private readonly string _kind;
    private readonly string? _useAfter;
    private string? _lastUsed;
    private int _used;

    /// <param name="kind">"client" or "server", for error messages.</param>
    /// <param name="builtIn">The built-in stages, outermost first.</param>
    /// <param name="useAfter">Where <see cref="Use"/> puts middleware: after this stage (and after earlier uses); null appends.</param>
    internal MicroPipeline(string kind, IEnumerable<string> builtIn, string? useAfter)
    {
        _kind = kind;
        _useAfter = useAfter;
        _stages = builtIn.Select(name => new Entry(name, null)).ToList();
    }

    /// <summary>The stage names, outermost first.</summary>
    public IReadOnlyList<string> Names => _stages.ConvertAll(s => s.Name);

    /// <summary>
    /// Adds middleware where plain middleware has always gone: on the client just inside telemetry (around deadline,
    /// retries and every attempt), on the server just around the endpoint. Later uses run inside earlier ones.
    /// </summary>
    public MicroPipeline<TMiddleware> Use(TMiddleware middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        var name = $"middleware-{++_used}";
        // After the last use (or the anchor stage); with both removed, outermost.
        var at = _useAfter is null ? _stages.Count : Math.Max(_lastUsed is null ? -1 : IndexOf(_lastUsed), IndexOf(_useAfter)) + 1;
        _stages.Insert(at, new Entry(name, middleware));
        _lastUsed = name;
        return this;
    }

    /// <summary>Adds a stage innermost (just before the transport on the client, the endpoint on the server).</summary>
    public MicroPipeline<TMiddleware> Add(string name, TMiddleware middleware)
    {
        _stages.Insert(_stages.Count, NewEntry(name, middleware));
        return this;
    }

    /// <summary>Adds a stage outside the named one (it sees the call before that stage does).</summary>
    public MicroPipeline<TMiddleware> InsertBefore(string stage, string name, TMiddleware middleware)
    {
        var entry = NewEntry(name, middleware);
        _stages.Insert(RequiredIndexOf(stage), entry);
        return this;
    }

    /// <summary>Adds a stage inside the named one (it sees the call after that stage has).</summary>
    public MicroPipeline<TMiddleware> InsertAfter(string stage, string name, TMiddleware middleware)
    {
        var entry = NewEntry(name, middleware);
        _stages.Insert(RequiredIndexOf(stage) + 1, entry);
        return this;
    }

    /// <summary>Runs <paramref name="middleware"/> in place of the named stage (built-in or not), keeping its name and place.</summary>
    public MicroPipeline<TMiddleware> Replace(string stage, TMiddleware middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        var at = RequiredIndexOf(stage);
        _stages[at] = _stages[at] with { Middleware = middleware };
        return this;
    }

    /// <summary>Takes the named stage out: calls no longer pass through it.</summary>
    public MicroPipeline<TMiddleware> Remove(string stage)
    {
        _stages.RemoveAt(RequiredIndexOf(stage));
        return this;
    }

    public bool Contains(string stage) => IndexOf(stage) >= 0;

    /// <summary>
    /// Composes the stages around <paramref name="terminal"/>: a stage with its own middleware wraps with it, a built-in
    /// stage with what <paramref name="builtIn"/> makes of its name.
    /// </summary>
    internal THandler Build<THandler>(THandler terminal, Func<TMiddleware, THandler, THandler> apply, Func<string, THandler, THandler> builtIn)
    {
        var handler = terminal;
        for (var i = _stages.Count - 1; i >= 0; i--)
        {
            var stage = _stages[i];
            handler = stage.Middleware is { } middleware ? apply(middleware, handler) : builtIn(stage.Name, handler);
        }

        return handler;
    }

    public override string ToString() => string.Join(" -> ", Names);

    private Entry NewEntry(string name, TMiddleware middleware)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(middleware);
        if (IndexOf(name) >= 0)
        {
            throw new ArgumentException($"The {_kind} pipeline already has a stage named '{name}' ({this}).", nameof(name));
        }

        return new Entry(name, middleware);
    }

    private int RequiredIndexOf(string stage)
    {
        var at = IndexOf(stage);
        return at >= 0 ? at : throw new ArgumentException($"The {_kind} pipeline has no stage named '{stage}'; it has: {this}.", nameof(stage));
    }

    private int IndexOf(string stage) => _stages.FindIndex(s => string.Equals(s.Name, stage, StringComparison.Ordinal));

    private sealed record Entry(string Name, TMiddleware? Middleware);
}
