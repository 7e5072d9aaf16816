namespace Connect.Application.Administration.CreateSector;

/// <summary>Create a new identity-isolation boundary, optionally named for people.</summary>
public sealed record CreateSectorCommand(string? Name) : IRequest<AdministrationOutcome<CreateSectorResult>>;

public sealed record CreateSectorResult(SectorId Sector);
