namespace Connect.Api.Observability;

/// <summary>
/// The console logger with the framework's own formatters and options (<c>Logging:Console</c>: formatter,
/// standard-error threshold, queue length), written through <see cref="BatchedConsoleWriter"/> instead of one
/// write per line. Lines are formatted in the logging thread, as the framework's logger does, so a line shows
/// the state at the moment it was logged.
/// </summary>
[ProviderAlias("Console")]
internal sealed class BatchedConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly IOptionsMonitor<ConsoleLoggerOptions> _options;
    private readonly Dictionary<string, ConsoleFormatter> _formatters;
    private readonly BatchedConsoleWriter _writer;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public BatchedConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters)
        : this(options, formatters, Console.OpenStandardOutput(), Console.OpenStandardError(), BatchedConsoleWriter.GatherTime)
    {
    }

    internal BatchedConsoleLoggerProvider(
        IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters, Stream output, Stream error, TimeSpan gatherTime)
    {
        _options = options;
        _formatters = formatters.ToDictionary(formatter => formatter.Name, StringComparer.OrdinalIgnoreCase);
        _writer = new BatchedConsoleWriter(output, error, Math.Max(1, options.CurrentValue.MaxQueueLength), gatherTime);
    }

    public ILogger CreateLogger(string categoryName) => new BatchedConsoleLogger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() => _writer.Dispose();

    private ConsoleFormatter Formatter(ConsoleLoggerOptions options) =>
        _formatters.GetValueOrDefault(options.FormatterName ?? ConsoleFormatterNames.Simple)
        ?? _formatters.GetValueOrDefault(ConsoleFormatterNames.Simple)
        ?? throw new InvalidOperationException($"No console formatter named '{options.FormatterName}' is registered.");

    private sealed class BatchedConsoleLogger(string category, BatchedConsoleLoggerProvider provider) : ILogger
    {
        [ThreadStatic]
        private static StringWriter? t_text;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var options = provider._options.CurrentValue;
            var text = t_text ??= new StringWriter(CultureInfo.InvariantCulture);
            provider.Formatter(options).Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), provider._scopes, text);
            var builder = text.GetStringBuilder();
            if (builder.Length == 0)
            {
                return;
            }

            var line = builder.ToString();
            builder.Clear();
            builder.Capacity = Math.Min(builder.Capacity, 1024); // one huge exception must not pin its buffer for good
            provider._writer.Enqueue(line, logLevel >= options.LogToStandardErrorThreshold);
        }
    }
}
