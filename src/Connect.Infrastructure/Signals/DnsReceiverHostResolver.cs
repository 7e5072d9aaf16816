namespace Connect.Infrastructure.Signals;

/// <summary>The system resolver; the sender checks every address it answers and connects only to a checked one.</summary>
internal sealed class DnsReceiverHostResolver : IReceiverHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
