using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Connect.Api.Tests.Observability;

/// <summary>Keeps every log entry of every category and level, with its structured state and its scopes.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Adds this provider for every category at every level, whatever appsettings.json filters for the others.</summary>
    public IServiceCollection CaptureEverything(IServiceCollection services) => services.AddLogging(logging => logging
        .AddProvider(this)
        .SetMinimumLevel(LogLevel.Trace)
        .AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace));

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Everything a sink could write: the message, every structured value, the exception, the scopes.
            var text = new StringBuilder(formatter(state, exception)).AppendLine().Append(exception);
            var fields = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            foreach (var (key, value) in fields)
            {
                text.AppendLine().Append(key).Append('=').Append(value);
            }

            provider._scopes.ForEachScope((scope, builder) => builder.AppendLine().Append(scope), text);
            provider.Entries.Enqueue(new CapturedLog(category, logLevel, eventId, fields.ToDictionary(), text.ToString()));
        }
    }
}

internal sealed record CapturedLog(
    string Category, LogLevel Level, EventId EventId, IReadOnlyDictionary<string, object?> Fields, string Text);
