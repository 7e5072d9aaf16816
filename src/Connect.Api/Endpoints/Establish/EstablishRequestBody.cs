namespace Connect.Api.Endpoints.Establish;

/// <summary>
/// The wire form of <c>POST /establish</c>, read by <see cref="SignInRequestJson"/> (an unknown member is refused);
/// each constraint's payload is checked against its kind's shape by <see cref="ToCommand"/>.
/// </summary>
internal sealed record EstablishRequestBody(
    [property: JsonPropertyName("applicationAnchor")] string? ApplicationAnchor,
    [property: JsonPropertyName("authenticationConstraints")] List<AuthenticationConstraintBody?>? AuthenticationConstraints,
    [property: JsonPropertyName("realizeConstraints")] List<RealizeConstraintBody?>? RealizeConstraints,
    [property: JsonPropertyName("returnMethods")] List<ReturnMethodBody?>? ReturnMethods)
{
    public static Outcome<EstablishRequestBody> Parse(ReadOnlyMemory<byte> body) => SignInRequestJson.Parse<EstablishRequestBody>(body);

    /// <summary>The command, with each payload read by its kind's shape; a payload of the wrong shape is InvalidBody.</summary>
    public Outcome<EstablishCommand> ToCommand(AuthenticatedApplication caller)
    {
        List<RequestedConstraint>? authentication = null;
        if (AuthenticationConstraints is not null)
        {
            authentication = [];
            foreach (var constraint in AuthenticationConstraints)
            {
                // PASSKEY_USERNAMELESS takes an empty payload; a method this service does not offer any object.
                if (constraint is not { Payload: { ValueKind: JsonValueKind.Object } payload }
                    || (constraint.Method == SignInMethods.PasskeyUsernameless && payload.EnumerateObject().Any()))
                {
                    return ReasonCode.InvalidBody;
                }

                authentication.Add(new RequestedConstraint(
                    constraint.Method, null, constraint.AccessTokenTtlSeconds, constraint.RefreshTokenTtlSeconds));
            }
        }

        List<RequestedConstraint>? realize = null;
        if (RealizeConstraints is not null)
        {
            realize = [];
            foreach (var constraint in RealizeConstraints)
            {
                if (constraint is not { Payload: { ValueKind: JsonValueKind.Object } payload }
                    || ReadSubjects(constraint.ConstraintType, payload) is not { } subjects)
                {
                    return ReasonCode.InvalidBody;
                }

                realize.Add(new RequestedConstraint(
                    constraint.ConstraintType, subjects.Value, constraint.AccessTokenTtlSeconds, constraint.RefreshTokenTtlSeconds));
            }
        }

        List<RequestedReturnMethod>? returns = null;
        if (ReturnMethods is not null)
        {
            returns = [];
            foreach (var method in ReturnMethods)
            {
                if (method is not { Payload: { ValueKind: JsonValueKind.Object } payload }
                    || ReadCallbackUrl(method.Type, payload) is not { } callbackUrl)
                {
                    return ReasonCode.InvalidBody;
                }

                returns.Add(new RequestedReturnMethod(method.Type, callbackUrl.Value));
            }
        }

        return new EstablishCommand(caller, ApplicationAnchor, authentication, realize, returns);
    }

    /// <returns>The subjects of a SECTOR_SUBJECT (a null value for other kinds), or <c>null</c> when the payload is malformed.</returns>
    private static Optional<IReadOnlyList<string?>>? ReadSubjects(string? kind, JsonElement payload)
    {
        var members = payload.EnumerateObject().ToList();
        if (kind == SignInMethods.SectorSubject)
        {
            if (members is not [{ Name: "allowedSectorSubjects", Value: { ValueKind: JsonValueKind.Array } subjects }]
                || subjects.EnumerateArray().Any(subject => subject.ValueKind != JsonValueKind.String))
            {
                return null;
            }

            return new Optional<IReadOnlyList<string?>>([.. subjects.EnumerateArray().Select(subject => subject.GetString())]);
        }

        return kind == SignInMethods.Everyone && members.Count > 0 ? null : new Optional<IReadOnlyList<string?>>(null);
    }

    /// <returns>A CALLBACK's URL (a null value for other types), or <c>null</c> when the payload is malformed.</returns>
    private static Optional<string>? ReadCallbackUrl(string? type, JsonElement payload)
    {
        var members = payload.EnumerateObject().ToList();
        if (type == SignInMethods.Callback)
        {
            return members is [{ Name: "callbackUrl", Value: { ValueKind: JsonValueKind.String } url }]
                ? new Optional<string>(url.GetString())
                : null;
        }

        return type == SignInMethods.StatusPoll && members.Count > 0 ? null : new Optional<string>(null);
    }

    /// <summary>A value that may itself be null, told apart from "malformed".</summary>
    private readonly record struct Optional<T>(T? Value);
}

internal sealed record AuthenticationConstraintBody(
    [property: JsonPropertyName("method")] string? Method,
    [property: JsonPropertyName("payload")] JsonElement? Payload,
    [property: JsonPropertyName("accessTokenTtlSeconds")] int? AccessTokenTtlSeconds,
    [property: JsonPropertyName("refreshTokenTtlSeconds")] int? RefreshTokenTtlSeconds);

internal sealed record RealizeConstraintBody(
    [property: JsonPropertyName("constraintType")] string? ConstraintType,
    [property: JsonPropertyName("payload")] JsonElement? Payload,
    [property: JsonPropertyName("accessTokenTtlSeconds")] int? AccessTokenTtlSeconds,
    [property: JsonPropertyName("refreshTokenTtlSeconds")] int? RefreshTokenTtlSeconds);

internal sealed record ReturnMethodBody(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("payload")] JsonElement? Payload);
