namespace Connect.Application.ClientAuthentication;

/// <summary>Remembers which <c>jti</c> values each application has already used.</summary>
public interface IClientJwtReplayStore
{
    /// <summary>
    /// Records (application, jti) if it was never recorded and the application is still at
    /// <paramref name="revision"/>, as one atomic step: of any number of concurrent calls with the same pair, on
    /// any number of instances, at most one returns <see cref="JtiRecording.FirstUse"/>.
    /// </summary>
    /// <param name="revision">The application revision the request was checked against.</param>
    /// <param name="keepUntil">
    /// The record may be purged after this instant of the caller's clock (the token's exp plus the allowed skew). A
    /// store shared by instances whose clocks differ keeps the record for <c>keepUntil - now</c> on its own clock.
    /// </param>
    /// <returns>
    /// <see cref="JtiRecording.ApplicationChanged"/> (nothing recorded) when the application has another revision
    /// or is gone, else <see cref="JtiRecording.FirstUse"/> or <see cref="JtiRecording.Replayed"/>.
    /// </returns>
    /// <exception cref="Exception">Any failure to reach the store propagates: replay protection fails closed.</exception>
    Task<JtiRecording> TryRecordFirstUseAsync(
        AppId application, long revision, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken);
}

/// <summary>What recording a jti found.</summary>
public enum JtiRecording
{
    /// <summary>Recorded now: the first use.</summary>
    FirstUse,

    /// <summary>Already recorded: a replay.</summary>
    Replayed,

    /// <summary>Not recorded: the application changed since the request was checked against it.</summary>
    ApplicationChanged,
}
