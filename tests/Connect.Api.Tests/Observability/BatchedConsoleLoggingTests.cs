using System.Text;
using System.Text.Json;
using Connect.Api.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Connect.Api.Tests.Observability;

/// <summary>
/// The service's console logger: the framework's formatters and options, written a batch at a time by one
/// thread. Every line arrives, in order, on the stream its level calls for, and nothing waits in memory once
/// the logger is disposed.
/// </summary>
public sealed partial class BatchedConsoleLoggingTests
{
    [Fact]
    public void Every_line_arrives_once_and_in_the_order_each_thread_logged_it()
    {
        var output = new CountingStream();
        using (var writer = new BatchedConsoleWriter(output, new CountingStream(), capacity: 2500, TimeSpan.FromMilliseconds(5)))
        {
            Parallel.For(0, 4, thread =>
            {
                for (var i = 0; i < 500; i++)
                {
                    writer.Enqueue($"{thread}:{i}\n", toError: false);
                }
            });
        }

        var lines = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2000, lines.Length);
        for (var thread = 0; thread < 4; thread++)
        {
            var prefix = $"{thread}:";
            Assert.Equal(
                Enumerable.Range(0, 500).Select(i => $"{prefix}{i}"),
                lines.Where(line => line.StartsWith(prefix, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Lines_logged_together_share_one_write()
    {
        var output = new CountingStream();
        using (var writer = new BatchedConsoleWriter(output, new CountingStream(), capacity: 2500, TimeSpan.FromMilliseconds(300)))
        {
            for (var i = 0; i < 50; i++)
            {
                writer.Enqueue($"line {i}\n", toError: false);
            }
        }

        Assert.Equal(50, output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.InRange(output.Writes, 1, 5);
    }

    [Fact]
    public void A_full_queue_makes_loggers_wait_and_loses_nothing()
    {
        var output = new CountingStream();
        using (var writer = new BatchedConsoleWriter(output, new CountingStream(), capacity: 2, TimeSpan.FromMilliseconds(1)))
        {
            Parallel.For(0, 3, thread =>
            {
                for (var i = 0; i < 100; i++)
                {
                    writer.Enqueue($"{thread}:{i}\n", toError: false);
                }
            });
        }

        Assert.Equal(300, output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct().Count());
    }

    [Fact]
    public void A_line_logged_after_disposal_is_still_written()
    {
        var output = new CountingStream();
        var writer = new BatchedConsoleWriter(output, new CountingStream(), capacity: 10, TimeSpan.FromMilliseconds(1));
        writer.Dispose();

        writer.Enqueue("late\n", toError: false);

        Assert.Equal("late\n", output.Text);
    }

    [Fact]
    public void Lines_use_the_framework_formatter_and_levels_from_the_threshold_go_to_standard_error()
    {
        var (output, error) = (new CountingStream(), new CountingStream());
        using (var provider = Provider(new ConsoleLoggerOptions { LogToStandardErrorThreshold = LogLevel.Warning }, output, error))
        {
            var logger = provider.CreateLogger("Connect.Sample");
            LogAnswered(logger, 200);
            LogSlow(logger);
        }

        Assert.Equal("info: Connect.Sample[7]\n      answered 200\n", output.Text);
        Assert.Equal("warn: Connect.Sample[0]\n      slow\n", error.Text);
    }

    [Fact]
    public void The_configured_formatter_is_used()
    {
        var output = new CountingStream();
        using (var provider = Provider(new ConsoleLoggerOptions { FormatterName = ConsoleFormatterNames.Json }, output, new CountingStream()))
        {
            var logger = provider.CreateLogger("Connect.Sample");
            LogAnswered(logger, 200);
        }

        using var line = JsonDocument.Parse(output.Text);
        Assert.Equal("Connect.Sample", line.RootElement.GetProperty("Category").GetString());
        Assert.Equal(200, line.RootElement.GetProperty("State").GetProperty("Status").GetInt32());
    }

    [Fact]
    public async Task The_service_logs_to_the_console_through_the_batched_provider()
    {
        await using var api = await ConnectApi.StartAsync(new ConnectApiOptions { ConnectionString = ConnectApi.NoDatabase });

        var providers = api.Services.GetServices<ILoggerProvider>().ToList();
        Assert.Contains(providers, provider => provider is BatchedConsoleLoggerProvider);
        Assert.DoesNotContain(providers, provider => provider is ConsoleLoggerProvider);
    }

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "answered {Status}")]
    private static partial void LogAnswered(ILogger logger, int status);

    [LoggerMessage(EventId = 0, Level = LogLevel.Warning, Message = "slow")]
    private static partial void LogSlow(ILogger logger);

    private static BatchedConsoleLoggerProvider Provider(ConsoleLoggerOptions options, Stream output, Stream error)
    {
        // The framework's own formatters, as the host registers them; plain text, no colours.
        using var services = new ServiceCollection()
            .AddLogging(logging => logging.AddConsole().AddSimpleConsole(simple => simple.ColorBehavior = LoggerColorBehavior.Disabled))
            .BuildServiceProvider();
        var formatters = services.GetServices<Microsoft.Extensions.Logging.Console.ConsoleFormatter>().ToList();
        return new BatchedConsoleLoggerProvider(new FixedOptions(options), formatters, output, error, TimeSpan.FromMilliseconds(1));
    }

    private sealed class FixedOptions(ConsoleLoggerOptions value) : IOptionsMonitor<ConsoleLoggerOptions>
    {
        public ConsoleLoggerOptions CurrentValue => value;

        public ConsoleLoggerOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ConsoleLoggerOptions, string?> listener) => null;
    }

    /// <summary>A memory stream that counts the writes it was given.</summary>
    private sealed class CountingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public string Text => Encoding.UTF8.GetString(ToArray());

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            base.Write(buffer);
        }
    }
}
