using System.Collections.Concurrent;
using System.Security.Cryptography;
using Connect.Application.SessionTokens;
using Connect.Domain.Applications;

namespace Connect.Application.SigningKeys;

/// <summary>
/// This instance's kept copy of each application's token-signing keys, used by the JWKS endpoint, by issuance and
/// by token verification. Every use first reads the application's revision (one indexed row); the store bumps it on
/// any change to a key, so a copy is used only while it is the current state, and a key removed on one instance is
/// gone from every instance on its next use. The state of each key is computed at the moment of use
/// (<see cref="SigningKeyLifecycle"/>), so a rotation takes effect on time without any write. Private keys are
/// decrypted once, when a key first signs, and kept for as long as the key is.
/// </summary>
public sealed class SigningKeyRing(
    ISigningKeyStore store, SigningKeyEncryption encryption, SigningKeyFactory factory, TimeProvider clock)
    : ICurrentSigningKey
{
    // Only existing applications are kept (an unknown anchor is not), so this bounds memory against a flood of
    // registrations, not against callers.
    internal const int MaxApplications = 10_000;

    private readonly ConcurrentDictionary<AppId, KeptSet> _kept = new();

    /// <summary>
    /// The key that signs now, having made sure that it stays published until <paramref name="signsUntil"/> (the
    /// latest expiry of the token about to be signed). An application without a current key (registered before
    /// signing keys existed) gets its first one here; two instances doing so at once add only one.
    /// </summary>
    /// <returns><c>null</c> when there is no such application.</returns>
    /// <exception cref="SigningKeysUnavailableException">The key-encryption key is missing or does not open the key.</exception>
    public async Task<TokenSigningKey?> GetCurrentSigningKeyAsync(
        AppId application, DateTimeOffset signsUntil, CancellationToken cancellationToken)
    {
        var kept = await WithCurrentKeyAsync(await FreshAsync(application, cancellationToken).ConfigureAwait(false), cancellationToken)
            .ConfigureAwait(false);
        if (kept is null)
        {
            return null;
        }

        var current = kept.Current(clock.GetUtcNow());
        if (current.Stored.SignsUntil < signsUntil)
        {
            // Written before the token exists, so the key can never be removed while a token it signed is valid.
            await store.ExtendSignsUntilAsync(
                application, current.Stored.KeyId, SigningKeyLifecycle.SignsUntilFor(signsUntil), cancellationToken).ConfigureAwait(false);
        }

        return current.Signing.Value;
    }

    /// <summary>
    /// The private key <paramref name="keyId"/> of the application while it is still published (current, or retiring
    /// since it signed), for re-signing claims it already signed: adoption answers the byte-identical refresh token,
    /// so it must be signed by the key that signed it, not by today's current key.
    /// </summary>
    /// <returns><c>null</c> when the application has no such published key (removed on purpose, or expired).</returns>
    /// <exception cref="SigningKeysUnavailableException">The key-encryption key is missing or does not open the key.</exception>
    public async Task<TokenSigningKey?> FindSigningKeyAsync(AppId application, string keyId, CancellationToken cancellationToken)
    {
        var kept = await FreshAsync(application, cancellationToken).ConfigureAwait(false);
        return kept?.Published(clock.GetUtcNow())
            .FirstOrDefault(key => string.Equals(key.Stored.KeyId, keyId, StringComparison.Ordinal))?.Signing.Value;
    }

    /// <returns>The published (next, current or retiring) key <paramref name="keyId"/> of the application, or <c>null</c>.</returns>
    public async Task<TokenVerificationKey?> FindPublishedKeyAsync(AppId application, string keyId, CancellationToken cancellationToken)
    {
        var kept = await FreshAsync(application, cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        return kept?.Published(now).FirstOrDefault(key => string.Equals(key.Stored.KeyId, keyId, StringComparison.Ordinal))?.Verification;
    }

    /// <summary>
    /// The application a session token's <c>aud</c> names and its published key <paramref name="keyId"/>, for
    /// verifying the token. Unlike issuance and the JWKS, it never creates a key: an application without one has
    /// signed nothing.
    /// </summary>
    /// <returns><c>null</c> when no application has the anchor; the key is <c>null</c> when none of its published keys has the id.</returns>
    public async Task<(AppId Application, TokenVerificationKey? Key)?> FindPublishedKeyAsync(
        ApplicationAnchor anchor, string keyId, CancellationToken cancellationToken)
    {
        // PostgreSQL text cannot hold NUL, so no anchor contains one.
        if (anchor.Value.Length is 0 or > ApplicationAnchor.MaxLength || anchor.Value.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var revision = await store.ReadRevisionAsync(anchor, cancellationToken).ConfigureAwait(false);
        if (revision is not { } found)
        {
            return null;
        }

        var kept = await FreshAsync(found.Application, found.Revision, cancellationToken).ConfigureAwait(false);
        if (kept is null)
        {
            return null;
        }

        var key = kept.Published(clock.GetUtcNow()).FirstOrDefault(k => string.Equals(k.Stored.KeyId, keyId, StringComparison.Ordinal));
        return (kept.Application, key?.Verification);
    }

    /// <returns>The application's published keys, newest first, or <c>null</c> when no application has the anchor.</returns>
    public async Task<PublishedSigningKeys?> GetPublishedKeysAsync(ApplicationAnchor anchor, CancellationToken cancellationToken)
    {
        // PostgreSQL text cannot hold NUL, so no anchor contains one.
        if (anchor.Value.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var revision = await store.ReadRevisionAsync(anchor, cancellationToken).ConfigureAwait(false);
        if (revision is not { } found)
        {
            return null;
        }

        var kept = await FreshAsync(found.Application, found.Revision, cancellationToken).ConfigureAwait(false);
        // A JWKS without the key the first token will name would be useless: an application registered before
        // signing keys existed gets its first one on first need, here as in issuance.
        kept = await WithCurrentKeyAsync(kept, cancellationToken).ConfigureAwait(false);
        if (kept is null)
        {
            return null;
        }

        return new PublishedSigningKeys(kept.Application, kept.Anchor, [.. kept.Published(clock.GetUtcNow()).Select(key => key.Verification)]);
    }

    private async Task<KeptSet?> FreshAsync(AppId application, CancellationToken cancellationToken)
    {
        var revision = await store.ReadRevisionAsync(application, cancellationToken).ConfigureAwait(false);
        if (revision is not { } current)
        {
            _kept.TryRemove(application, out _);
            return null;
        }

        return await FreshAsync(application, current, cancellationToken).ConfigureAwait(false);
    }

    private async Task<KeptSet?> FreshAsync(AppId application, long revision, CancellationToken cancellationToken)
    {
        if (_kept.TryGetValue(application, out var kept) && kept.Revision == revision)
        {
            return kept;
        }

        return await ReloadAsync(application, cancellationToken).ConfigureAwait(false);
    }

    private async Task<KeptSet?> ReloadAsync(AppId application, CancellationToken cancellationToken)
    {
        var set = await store.LoadAsync(application, cancellationToken).ConfigureAwait(false);
        if (set is null)
        {
            _kept.TryRemove(application, out _);
            return null;
        }

        _kept.TryGetValue(application, out var previous);
        var kept = new KeptSet(set, previous, encryption);
        if (_kept.Count >= MaxApplications && !_kept.ContainsKey(application))
        {
            _kept.Clear();
        }

        // Two uses may reload concurrently: keep the newer revision.
        return _kept.AddOrUpdate(application, kept, (_, other) => other.Revision > kept.Revision ? other : kept);
    }

    private async Task<KeptSet?> WithCurrentKeyAsync(KeptSet? kept, CancellationToken cancellationToken)
    {
        if (kept is null || kept.HasCurrent(clock.GetUtcNow()))
        {
            return kept;
        }

        // The unique generation settles a race with another instance: the loser's insert does nothing, and both
        // then read the winner's key.
        var now = clock.GetUtcNow();
        var first = factory.Create(kept.Application, SigningKeyLifecycle.NextGeneration(kept.Stored), now, now);
        await store.AddAsync(first, cancellationToken).ConfigureAwait(false);
        var reloaded = await ReloadAsync(kept.Application, cancellationToken).ConfigureAwait(false);
        return reloaded is null || reloaded.HasCurrent(clock.GetUtcNow())
            ? reloaded
            : throw new InvalidOperationException($"The application {kept.Application} still has no current signing key.");
    }

    private sealed class KeptSet
    {
        public KeptSet(SigningKeySet set, KeptSet? previous, SigningKeyEncryption encryption)
        {
            Application = set.Application;
            Anchor = set.Anchor;
            Revision = set.Revision;
            Stored = set.Keys;
            // A key already kept keeps its imported public key and its decrypted private key: a reload after an
            // unrelated change (another key, the application's status) costs no cryptography.
            Keys = [.. set.Keys
                .Where(key => key.RemovedAt is null)
                .Select(key => previous?.Keys.FirstOrDefault(old => old.Stored.KeyId == key.KeyId) is { } old
                    ? old.With(key)
                    : KeptKey.For(key, encryption))];
        }

        public AppId Application { get; }

        public ApplicationAnchor Anchor { get; }

        public long Revision { get; }

        public IReadOnlyList<StoredSigningKey> Stored { get; }

        public IReadOnlyList<KeptKey> Keys { get; }

        public bool HasCurrent(DateTimeOffset now) => SigningKeyLifecycle.Current(Stored, now) is not null;

        public KeptKey Current(DateTimeOffset now)
        {
            var current = SigningKeyLifecycle.Current(Stored, now)!;
            return Keys.First(key => key.Stored.KeyId == current.KeyId);
        }

        public IEnumerable<KeptKey> Published(DateTimeOffset now) =>
            SigningKeyLifecycle.Published(Stored, now).Select(published => Keys.First(key => key.Stored.KeyId == published.KeyId));
    }

    private sealed class KeptKey
    {
        private KeptKey(StoredSigningKey stored, TokenVerificationKey verification, Lazy<TokenSigningKey> signing)
        {
            Stored = stored;
            Verification = verification;
            Signing = signing;
        }

        public StoredSigningKey Stored { get; }

        public TokenVerificationKey Verification { get; }

        /// <summary>Decrypted on first use only: an instance that only verifies never holds private keys.</summary>
        public Lazy<TokenSigningKey> Signing { get; }

        public static KeptKey For(StoredSigningKey stored, SigningKeyEncryption encryption)
        {
#pragma warning disable CA2000 // kept for the key's lifetime in the ring
            var publicKey = RSA.Create();
#pragma warning restore CA2000
            publicKey.ImportSubjectPublicKeyInfo(stored.PublicKeySpki, out _);
            return new KeptKey(
                stored,
                new TokenVerificationKey(stored.KeyId, publicKey),
                new Lazy<TokenSigningKey>(() => Decrypt(stored, encryption), LazyThreadSafetyMode.PublicationOnly));
        }

        public KeptKey With(StoredSigningKey stored) => new(stored, Verification, Signing);

        private static TokenSigningKey Decrypt(StoredSigningKey stored, SigningKeyEncryption encryption)
        {
            var pkcs8 = encryption.TryOpen(stored.Application, stored.KeyId, stored.PrivateKey)
                ?? throw new SigningKeysUnavailableException(
                    $"the configured key-encryption key ({SigningKeyOptions.SectionName}:KeyEncryptionKey) does not open the token-signing key {stored.KeyId}");
            try
            {
#pragma warning disable CA2000 // kept for the key's lifetime in the ring
                var privateKey = RSA.Create();
#pragma warning restore CA2000
                privateKey.ImportPkcs8PrivateKey(pkcs8, out _);
                return new TokenSigningKey(stored.KeyId, privateKey);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }
    }
}

/// <summary>The keys an application's JWKS shows, newest first.</summary>
public sealed record PublishedSigningKeys(AppId Application, ApplicationAnchor Anchor, IReadOnlyList<TokenVerificationKey> Keys);
