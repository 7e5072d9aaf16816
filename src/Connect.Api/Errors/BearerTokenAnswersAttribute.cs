namespace Connect.Api.Errors;

/// <summary>
/// Marks an endpoint whose credential is an <c>Authorization: Bearer</c> access token (RFC 6750). Its <c>401</c>s
/// are the protocol's own <c>{"error":"invalid_token"}</c> (§3.1), not <c>{"reason":...}</c>, whatever failed. It says
/// only the body's shape: the caching headers every answer needs (it depends on that header) are declared as any
/// endpoint declares them, with <see cref="Responses.AnswerHeadersAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false)]
internal sealed class BearerTokenAnswersAttribute : Attribute;
