namespace Connect.Application.SigningKeys;

/// <summary>
/// This instance's kept copy of each application's token-signing keys, used by the JWKS endpoint, by issuance and
/// by token verification. The store bumps the application's revision on any change to it or to a key, and a copy is
/// trusted only at the revision it was loaded at, confirmed one of two ways: the confirming uses first read the
/// revision (one indexed row); the <c>Kept</c> uses (the session endpoints' hot paths) read nothing and hand out the
/// copy's revision, which the caller's one statement checks against the database in the same snapshot as its write
/// or read (docs/decisions.md, "Session endpoints in one round trip"). Either way a key removed on one instance is
/// gone from every instance on its next use. The state of each key is computed at the moment of use
/// (<see cref="SigningKeyLifecycle"/>), so a rotation takes effect on time without any write. Private keys are
/// decrypted once, when a key first signs, and kept for as long as the key is.
/// </summary>
public sealed class SigningKeyRing(
    ISigningKeyStore store, SigningKeyEncryption encryption, SigningKeyFactory factory, TimeProvider clock,
    IOptions<SigningKeyOptions> options, ILogger<SigningKeyRing>? logger = null)
    : ICurrentSigningKey
{
    // Only existing applications are kept (an unknown anchor is not), so this bounds memory against a flood of
    // registrations, not against callers.
    internal const int MaxApplications = 10_000;

    private readonly ConcurrentDictionary<AppId, KeptSet> _kept = new();

    private readonly TimeSpan _rereadPeriod = options.Value.KeptCopyRereadPeriod;

    private readonly ILogger _logger = logger ?? NullLogger<SigningKeyRing>.Instance;

    private static readonly Action<ILogger, string, Guid, Exception?> NotAuthenticLog = LoggerMessage.Define<string, Guid>(
        LogLevel.Warning,
        new EventId(1, "SigningKeyNotAuthentic"),
        "The signing key row {KeyId} of application {Application} does not open under the key-encryption key with its own columns; " +
        "it is ignored: not published, not verifying, not signing");

    // The rows already reported as not authentic, so each is logged once per instance, not on every reload.
    private readonly ConcurrentDictionary<(AppId, string), byte> _reported = new();

    // Which kept application a token's aud names, for the unconfirmed path; the kept copy itself says its anchor, so
    // an entry left behind by a deleted or renamed application only sends the request down the confirming path.
    private readonly ConcurrentDictionary<string, AppId> _anchors = new(StringComparer.Ordinal);

    // What the unauthenticated reads by anchor found a moment ago, and the one read concurrent callers share.
    private readonly AnchorReads _anchorReads = new(clock);

    /// <summary>
    /// Whether a read by anchor less than a second ago found no application with <paramref name="anchor"/>: the
    /// caller of an unverified token may refuse it as naming no application without reading again.
    /// </summary>
    public bool IsKnownUnknown(ApplicationAnchor anchor) => _anchorReads.IsKnownUnknown(anchor);

    /// <summary>
    /// Whether the kept copy of the anchor's application was found current by a read less than a second ago and has
    /// no published key <paramref name="keyId"/>: a read now would most likely find the same, so the caller may refuse
    /// the signature without reading (a key added since moves the revision and is found within the second).
    /// </summary>
    public bool IsKnownWithoutKey(ApplicationAnchor anchor, string keyId)
    {
        if (!_anchors.TryGetValue(anchor.Value, out var application)
            || !_kept.TryGetValue(application, out var kept)
            || !string.Equals(kept.Anchor.Value, anchor.Value, StringComparison.Ordinal))
        {
            return false;
        }

        return _anchorReads.IsRecentlyConfirmed(anchor, kept.Revision) && kept.FindPublished(keyId, clock.GetUtcNow()) is null;
    }

    /// <summary>
    /// The kept copy's published key <paramref name="keyId"/> of the application with <paramref name="anchor"/>,
    /// without reading anything: unconfirmed, so the caller must confirm <see cref="KeptVerificationKey.Revision"/>
    /// in the statement it runs next.
    /// </summary>
    /// <returns><c>null</c> when no copy of the application is kept or its copy has no such published key (the key
    /// may be new): the caller then takes the confirming path.</returns>
    public KeptVerificationKey? FindKeptPublishedKey(ApplicationAnchor anchor, string keyId)
    {
        if (!_anchors.TryGetValue(anchor.Value, out var application)
            || !_kept.TryGetValue(application, out var kept)
            || !string.Equals(kept.Anchor.Value, anchor.Value, StringComparison.Ordinal))
        {
            return null;
        }

        var now = clock.GetUtcNow();
        if (IsDueForReread(kept, now))
        {
            return null;
        }

        var key = kept.FindPublished(keyId, now);
        return key is null ? null : new KeptVerificationKey(kept.Application, kept.Revision, key.Verification);
    }

    /// <summary>
    /// The key that signs now from the copy kept at <paramref name="revision"/>, without reading anything (as
    /// <see cref="GetCurrentSigningKeyAsync"/> does otherwise, the signs-until raise included): the caller confirms
    /// the revision in its write.
    /// </summary>
    /// <returns><c>null</c> when the kept copy is no longer at that revision or has no current key: the caller then
    /// takes the confirming path.</returns>
    /// <exception cref="SigningKeysUnavailableException">The key-encryption key is missing or does not open the key.</exception>
    public async Task<TokenSigningKey?> GetKeptCurrentSigningKeyAsync(
        AppId application, long revision, DateTimeOffset signsUntil, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (!_kept.TryGetValue(application, out var kept) || kept.Revision != revision || IsDueForReread(kept, now) || !kept.HasCurrent(now))
        {
            return null;
        }

        return await SignWithAsync(kept, now, signsUntil, cancellationToken).ConfigureAwait(false);
    }

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

        return await SignWithAsync(kept, clock.GetUtcNow(), signsUntil, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TokenSigningKey> SignWithAsync(KeptSet kept, DateTimeOffset now, DateTimeOffset signsUntil, CancellationToken cancellationToken)
    {
        var current = kept.Current(now);
        if (current.Stored.SignsUntil < signsUntil)
        {
            // Written before the token exists, so the key can never be removed while a token it signed is valid.
            // Rare (about once a day per key); it bumps the revision, so a kept copy is reloaded on its next use.
            await store.ExtendSignsUntilAsync(
                kept.Application, current.Stored.KeyId, SigningKeyLifecycle.SignsUntilFor(signsUntil), cancellationToken).ConfigureAwait(false);
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
        return kept?.FindPublished(keyId, clock.GetUtcNow())?.Signing.Value;
    }

    /// <returns>The published (next, current or retiring) key <paramref name="keyId"/> of the application, or <c>null</c>.</returns>
    public async Task<TokenVerificationKey?> FindPublishedKeyAsync(AppId application, string keyId, CancellationToken cancellationToken)
    {
        var kept = await FreshAsync(application, cancellationToken).ConfigureAwait(false);
        return kept?.FindPublished(keyId, clock.GetUtcNow())?.Verification;
    }

    /// <summary>
    /// The application a session token's <c>aud</c> names and its published key <paramref name="keyId"/>, for
    /// verifying the token. Unlike issuance and the JWKS, it never creates a key: an application without one has
    /// signed nothing.
    /// </summary>
    /// <param name="unverified">The token has not verified under anything yet: share the read with concurrent ones of
    /// the same anchor and keep what it found (<see cref="IsKnownUnknown"/>, <see cref="IsKnownWithoutKey"/>).</param>
    /// <returns><c>null</c> when no application has the anchor; the key is <c>null</c> when none of its published
    /// keys has the id. The revision is the one just read, of the copy the key comes from.</returns>
    public async Task<(AppId Application, long Revision, TokenVerificationKey? Key)?> FindPublishedKeyAsync(
        ApplicationAnchor anchor, string keyId, CancellationToken cancellationToken, bool unverified = false)
    {
        // PostgreSQL text cannot hold NUL, so no anchor contains one.
        if (anchor.Value.Length is 0 or > ApplicationAnchor.MaxLength || anchor.Value.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var revision = unverified
            ? await _anchorReads.ReadAsync(anchor, store.ReadRevisionAsync, cancellationToken).ConfigureAwait(false)
            : await store.ReadRevisionAsync(anchor, cancellationToken).ConfigureAwait(false);
        if (revision is not { } found)
        {
            // Deleted (or never registered): the unconfirmed path must stop finding a copy under this anchor.
            if (_anchors.TryRemove(anchor.Value, out var gone))
            {
                _kept.TryRemove(gone, out _);
            }

            return null;
        }

        var kept = await FreshAsync(found.Application, found.Revision, cancellationToken).ConfigureAwait(false);
        if (kept is null)
        {
            return null;
        }

        return (kept.Application, kept.Revision, kept.FindPublished(keyId, clock.GetUtcNow())?.Verification);
    }

    /// <returns>The application's published keys, newest first, or <c>null</c> when no application has the anchor.</returns>
    public async Task<PublishedSigningKeys?> GetPublishedKeysAsync(ApplicationAnchor anchor, CancellationToken cancellationToken)
    {
        // PostgreSQL text cannot hold NUL, so no anchor contains one. The request is unauthenticated: an anchor found
        // unknown a moment ago is not read again, and concurrent requests for one anchor share one read.
        if (anchor.Value.Contains('\0', StringComparison.Ordinal) || _anchorReads.IsKnownUnknown(anchor))
        {
            return null;
        }

        var revision = await _anchorReads.ReadAsync(anchor, store.ReadRevisionAsync, cancellationToken).ConfigureAwait(false);
        if (revision is not { } found)
        {
            return null;
        }

        // The JWKS answers with what exists: it is unauthenticated, and generating an RSA key here would let anyone
        // spend the service's CPU. An application registered before signing keys existed gets its first key from
        // issuance, an administrative path; until then it has signed nothing and publishes nothing.
        var kept = await FreshAsync(found.Application, found.Revision, cancellationToken).ConfigureAwait(false);
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
        if (_kept.TryGetValue(application, out var kept) && kept.Revision == revision && !IsDueForReread(kept, clock.GetUtcNow()))
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
        var kept = new KeptSet(set, previous, encryption, clock.GetUtcNow(), ReportNotAuthentic);
        if (_kept.Count >= MaxApplications && !_kept.ContainsKey(application))
        {
            _kept.Clear();
            _anchors.Clear();
        }

        // Two uses may reload concurrently: keep the newer revision (at one revision, the later read).
        var newest = _kept.AddOrUpdate(application, kept, (_, other) => other.Revision > kept.Revision ? other : kept);
        _anchors[newest.Anchor.Value] = newest.Application;
        return newest;
    }

    private void ReportNotAuthentic(StoredSigningKey key)
    {
        if (_reported.Count >= MaxApplications)
        {
            _reported.Clear();
        }

        if (_reported.TryAdd((key.Application, key.KeyId), 0))
        {
            // The key id is a public thumbprint; never the row's key material.
            NotAuthenticLog(_logger, key.KeyId, key.Application.Value, null);
        }
    }

    // The revision triggers fire always (migrations 0005, 0014), so this should never be what notices a change; it
    // bounds how long one that somehow bypassed them (a trigger dropped by hand) goes unseen.
    private bool IsDueForReread(KeptSet kept, DateTimeOffset now) => now - kept.LoadedAt >= _rereadPeriod;

    private async Task<KeptSet?> WithCurrentKeyAsync(KeptSet? kept, CancellationToken cancellationToken)
    {
        if (kept is null || kept.HasCurrent(clock.GetUtcNow()))
        {
            return kept;
        }

        // Under the wrong key-encryption key no key opens: making a new one would strand every token the real ones signed.
        if (kept.SealedUnderAnotherKey is { } other)
        {
            throw new SigningKeysUnavailableException(
                $"the configured key-encryption key ({SigningKeyOptions.SectionName}:KeyEncryptionKey) does not open the token-signing key {other.KeyId}");
        }

        // The unique generation settles a race with another instance: the loser's insert does nothing, and both
        // then read the winner's key.
        var now = clock.GetUtcNow();
        var first = factory.Create(kept.Application, SigningKeyLifecycle.NextGeneration(kept.AllGenerations), now, now);
        await store.AddAsync(first, cancellationToken).ConfigureAwait(false);
        var reloaded = await ReloadAsync(kept.Application, cancellationToken).ConfigureAwait(false);
        return reloaded is null || reloaded.HasCurrent(clock.GetUtcNow())
            ? reloaded
            : throw new InvalidOperationException($"The application {kept.Application} still has no current signing key.");
    }

    private sealed class KeptSet
    {
        public KeptSet(
            SigningKeySet set, KeptSet? previous, SigningKeyEncryption encryption, DateTimeOffset loadedAt, Action<StoredSigningKey> notAuthentic)
        {
            LoadedAt = loadedAt;
            Application = set.Application;
            Anchor = set.Anchor;
            Revision = set.Revision;
            // A row whose seal does not open with its own columns was not made by this service (or was changed since):
            // it is no key, for the lifecycle too, so it can neither verify nor be published nor become current. A
            // removed row is removed whatever its seal says. A key already kept with the same row keeps its imported
            // public key and its private key: a reload after an unrelated change costs no cryptography.
            var live = new List<KeptKey>();
            var stored = new List<StoredSigningKey>();
            foreach (var key in set.Keys)
            {
                if (key.RemovedAt is not null)
                {
                    stored.Add(key);
                }
                else if (previous?.Keys.FirstOrDefault(old => old.Stored.KeyId == key.KeyId && old.IsSameRow(key)) is { } old)
                {
                    stored.Add(key);
                    live.Add(old.With(key));
                }
                else if (encryption.IsAuthentic(key))
                {
                    stored.Add(key);
                    live.Add(KeptKey.For(key, encryption));
                }
                else
                {
                    notAuthentic(key);
                    if (key.KeyEncryptionKeyId is { } sealedBy && sealedBy != encryption.KeyEncryptionKeyId)
                    {
                        SealedUnderAnotherKey ??= key;
                    }
                }
            }

            Stored = [.. stored];
            Keys = [.. live];
            AllGenerations = set.Keys;
        }

        public DateTimeOffset LoadedAt { get; }

        /// <summary>A row that says another key-encryption key sealed it: the configuration is wrong, not the row.</summary>
        public StoredSigningKey? SealedUnderAnotherKey { get; }

        /// <summary>Every row read, authentic or not: a new key takes a generation none of them holds.</summary>
        public IReadOnlyList<StoredSigningKey> AllGenerations { get; }

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

        /// <summary>
        /// The published key with this id, judged for that one key rather than by building the whole published list
        /// on every verification; the list (and its cap) is consulted only when the application has more keys than
        /// it may publish.
        /// </summary>
        public KeptKey? FindPublished(string keyId, DateTimeOffset now)
        {
            KeptKey? found = null;
            foreach (var key in Keys)
            {
                if (string.Equals(key.Stored.KeyId, keyId, StringComparison.Ordinal))
                {
                    found = key;
                    break;
                }
            }

            if (found is null || SigningKeyLifecycle.StateOf(found.Stored, Stored, now) == SigningKeyState.Removed)
            {
                return null;
            }

            return Keys.Count <= SigningKeyLifecycle.MaxPublishedKeys || SigningKeyLifecycle.Published(Stored, now).Contains(found.Stored)
                ? found
                : null;
        }
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
                new Lazy<TokenSigningKey>(() => encryption.OpenSigningKey(stored), LazyThreadSafetyMode.PublicationOnly));
        }

        public KeptKey With(StoredSigningKey stored) => new(stored, Verification, Signing);

        /// <summary>The same key row as the one kept: identity and seal unchanged, so the seal need not be checked again.</summary>
        public bool IsSameRow(StoredSigningKey other) =>
            Stored.Generation == other.Generation
            && Stored.CreatedAt == other.CreatedAt
            && Stored.PublicKeySpki.AsSpan().SequenceEqual(other.PublicKeySpki)
            && Stored.PrivateKey.Nonce.AsSpan().SequenceEqual(other.PrivateKey.Nonce)
            && Stored.PrivateKey.Tag.AsSpan().SequenceEqual(other.PrivateKey.Tag)
            && Stored.PrivateKey.Ciphertext.AsSpan().SequenceEqual(other.PrivateKey.Ciphertext);

    }
}

/// <summary>A published verification key from a kept copy, with the revision that copy must still be at.</summary>
public readonly record struct KeptVerificationKey(AppId Application, long Revision, TokenVerificationKey Key);

/// <summary>The keys an application's JWKS shows, newest first.</summary>
public sealed record PublishedSigningKeys(AppId Application, ApplicationAnchor Anchor, IReadOnlyList<TokenVerificationKey> Keys);
