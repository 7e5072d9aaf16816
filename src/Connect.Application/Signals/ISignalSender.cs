namespace Connect.Application.Signals;

/// <summary>Sends one signed signal to its receiver's URL in the receiver's form, and says what happened.</summary>
public interface ISignalSender
{
    /// <summary>One attempt, bounded by the delivery timeout; never throws for the receiver's behaviour.</summary>
    Task<DeliveryAttempt> SendAsync(string url, SignalFormat format, string token, CancellationToken cancellationToken);
}

/// <summary>Resolves a receiver's host name to the addresses the sender checks and connects to.</summary>
public interface IReceiverHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
