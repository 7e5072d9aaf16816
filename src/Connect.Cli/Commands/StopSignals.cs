namespace Connect.Cli.Commands;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM as a request to stop: they cancel a token instead of ending the process, so that
/// <c>up</c> can stop the service and then the embedded PostgreSQL it started. Every later signal is swallowed
/// as well until this is disposed: pressing Ctrl-C twice must not leave the database running.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;

    private StopSignals(CancellationTokenSource stopping)
    {
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.Cancel();
        }

        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop),
        ];
    }

    /// <summary>Until disposed, Ctrl-C and SIGTERM cancel <paramref name="stopping"/> and nothing else.</summary>
    public static StopSignals Register(CancellationTokenSource stopping)
    {
        ArgumentNullException.ThrowIfNull(stopping);
        return new StopSignals(stopping);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
