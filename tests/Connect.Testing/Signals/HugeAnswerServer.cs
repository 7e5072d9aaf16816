using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Connect.Testing.Signals;

/// <summary>
/// A receiver that answers 200 with a body of a gigabyte, written straight to the socket, so that what it manages to
/// send is what the sender read (or drained): a sender that stops after the headers leaves it blocked, then broken.
/// </summary>
public sealed class HugeAnswerServer : IAsyncDisposable
{
    public const long BodyBytes = 1L << 30;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private long _sent;
    private int _requests;

    public HugeAnswerServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _serving = ServeAsync();
    }

    public int Port { get; }

    /// <summary>Body bytes the socket accepted, over every request.</summary>
    public long BodyBytesSent => Interlocked.Read(ref _sent);

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Whether an answer is still being written (the sender is neither reading nor gone).</summary>
    public bool Writing { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serving;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _requests);
            var stream = client.GetStream();
            await ReadRequestAsync(stream);
            Writing = true;
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {BodyBytes}\r\n\r\n"), _stop.Token);
                var chunk = new byte[64 * 1024];
                for (long written = 0; written < BodyBytes; written += chunk.Length)
                {
                    await stream.WriteAsync(chunk, _stop.Token);
                    Interlocked.Add(ref _sent, chunk.Length);
                }
            }
            catch (IOException)
            {
                // The sender went away: what it did not read was never sent.
            }
            finally
            {
                Writing = false;
            }
        }
    }

    private async Task ReadRequestAsync(NetworkStream stream)
    {
        // Headers up to the blank line, then the body its Content-Length announces.
        var buffer = new byte[64 * 1024];
        var received = 0;
        int headerEnd;
        while ((headerEnd = IndexOfBlankLine(buffer, received)) < 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(received), _stop.Token);
            if (read == 0)
            {
                return;
            }

            received += read;
        }

        var headers = Encoding.ASCII.GetString(buffer, 0, headerEnd);
        var length = headers.Split("\r\n")
            .Where(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(line => int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
        while (received < headerEnd + 4 + length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(received), _stop.Token);
            if (read == 0)
            {
                return;
            }

            received += read;
        }
    }

    private static int IndexOfBlankLine(byte[] buffer, int length) =>
        buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
}
