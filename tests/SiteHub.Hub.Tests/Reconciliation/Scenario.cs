using System.Globalization;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Tests.Reconciliation;

/// <summary>Builds a small registry with its punches and payouts, and runs both reconciliation paths over it.</summary>
internal sealed class Scenario
{
    public static readonly KeyedHasher Hasher = KeyedHasher.FromSecret("test-hash-key-0123456789");

    private readonly List<Project> _projects = [];
    private readonly List<RosterEntry> _roster = [];
    private readonly Dictionary<string, (string Name, string Id, string Account)> _people = new(StringComparer.Ordinal);
    private readonly List<GatePunch> _punches = [];
    private readonly List<Payout> _payouts = [];

    public ReconciliationSettings Settings { get; init; } = ReconciliationSettings.Default;

    public static string IdNumberOf(string workerId) =>
        ResidentIdNumber.WithCheckCharacter("110105" + "1988" + "0612" + (Math.Abs(StableHash(workerId)) % 1000).ToString("000", CultureInfo.InvariantCulture));

    public static string AccountOf(string owner) => "6222" + (Math.Abs(StableHash(owner)) % 1_000_000_000_000L).ToString("000000000000", CultureInfo.InvariantCulture);

    public static string WageAccountOf(string projectId) => AccountOf("wage:" + projectId);

    /// <summary>The default silence threshold of scenario projects: a year, so that pay tests see no <c>NO_ATTENDANCE</c>; null means the settings' default.</summary>
    public const int Quiet = 366;

    public Scenario Project(string id, string? site = null, int payDay = 15, string timeZone = "Asia/Shanghai", decimal tolerance = 0.01m, int? noAttendanceDays = Quiet, decimal? excessivePayCap = null)
    {
        var account = WageAccountOf(id);
        _projects.Add(new Project(id, "Project " + id, [site ?? "site-" + id], "contractor-" + id, Hasher.BankAccount(account), Masking.BankAccount(account),
            payDay, TimeZoneInfo.FindSystemTimeZoneById(timeZone), tolerance, noAttendanceDays, excessivePayCap));
        return this;
    }

    public Scenario Worker(string id, string project, WageType type = WageType.Day, decimal rate = 300m, DateOnly? start = null, DateOnly? end = null, string? name = null)
    {
        var person = _people.GetValueOrDefault(id);
        if (person == default)
        {
            person = (name ?? "Worker " + id, IdNumberOf(id), AccountOf(id));
            _people[id] = person;
        }

        _roster.Add(new RosterEntry(id, person.Name, Hasher.IdNumber(person.Id), Masking.IdNumber(person.Id), project, "employer", "team",
            Hasher.BankAccount(person.Account), Masking.BankAccount(person.Account), type, rate, start ?? new DateOnly(2024, 1, 1), end));
        return this;
    }

    /// <summary>In at 08:00 and out at 17:00 (+08:00) on each day of <paramref name="days"/> of March 2024 unless a month is given.</summary>
    public Scenario Attend(string worker, string site, IEnumerable<int> days, int year = 2024, int month = 3)
    {
        foreach (var day in days)
        {
            Punch(site, worker, Direction.In, new DateTimeOffset(year, month, day, 8, 0, 0, TimeSpan.FromHours(8)));
            Punch(site, worker, Direction.Out, new DateTimeOffset(year, month, day, 17, 0, 0, TimeSpan.FromHours(8)));
        }

        return this;
    }

    public Scenario Punch(string site, string person, Direction direction, DateTimeOffset at)
    {
        _punches.Add(new GatePunch(site, person, direction, at));
        return this;
    }

    /// <summary>A payout to <paramref name="worker"/>'s record (name, ID, account) from the project's wage account, unless overridden.</summary>
    public Scenario Pay(string txn, string worker, decimal amount, string paidAt, string month = "2024-03", string project = "P1", bool failed = false,
        string? payerAccount = null, string? payeeName = null, string? payeeId = null, string? payeeAccount = null, bool noPayeeId = false)
    {
        var person = _people.GetValueOrDefault(worker);
        var name = payeeName ?? person.Name ?? "Stranger " + worker;
        var id = noPayeeId ? null : payeeId ?? person.Id ?? IdNumberOf("stranger-" + worker);
        var account = payeeAccount ?? person.Account ?? AccountOf("stranger-" + worker);
        var payer = payerAccount ?? WageAccountOf(project);
        Assert.True(YearMonth.TryParse(month, out var wageMonth), month);
        _payouts.Add(new Payout(txn, Hasher.BankAccount(payer), Masking.BankAccount(payer), name,
            id is null ? null : Hasher.IdNumber(id), id is null ? null : Masking.IdNumber(id),
            Hasher.BankAccount(account), Masking.BankAccount(account), amount, wageMonth, ParseTimestamp(paidAt),
            failed ? PayoutStatus.Failed : PayoutStatus.Success));
        return this;
    }

    public ReconciliationLedger Ledger()
    {
        var ledger = new ReconciliationLedger(_projects, _roster, Settings);
        foreach (var punch in _punches)
        {
            ledger.AddPunch(punch);
        }

        foreach (var payout in _payouts)
        {
            ledger.AddPayout(payout);
        }

        return ledger;
    }

    public IReadOnlyList<Alert> Bulk(DateOnly asOf) => BulkReconciler.Run(Ledger(), asOf);

    public IReadOnlyList<Alert> Bulk(string asOf) => Bulk(DateOnly.Parse(asOf, CultureInfo.InvariantCulture));

    public IReadOnlyList<GatePunch> Punches => _punches;

    public IReadOnlyList<Payout> Payouts => _payouts;

    public ReconciliationLedger EmptyLedger(bool followsRegistryChanges = false) => new(_projects, _roster, Settings, followsRegistryChanges);

    public IReadOnlyList<Project> Projects => _projects;

    public IReadOnlyList<RosterEntry> Roster => _roster;

    private static BankTimestamp ParseTimestamp(string text) =>
        text.Length == 10
            ? new BankTimestamp(DateTime.Parse(text, CultureInfo.InvariantCulture), null)
            : DateTimeOffset.TryParseExact(text, "yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset)
                ? new BankTimestamp(withOffset.DateTime, withOffset.Offset)
                : new BankTimestamp(DateTime.Parse(text, CultureInfo.InvariantCulture), null);

    private static long StableHash(string text)
    {
        long hash = 1469598103934665603;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211;
        }

        return hash == long.MinValue ? 0 : hash;
    }
}

internal static class AlertAssertions
{
    public static string Summary(this IEnumerable<Alert> alerts) =>
        string.Join("; ", alerts.Select(a => $"{a.Type.Code()} {a.ProjectId}/{a.WorkerId}/{a.WageMonth}"));

    public static Alert Single(this IReadOnlyList<Alert> alerts, AlertType type, string? worker = null)
    {
        var found = alerts.Where(a => a.Type == type && (worker is null || a.WorkerId == worker)).ToList();
        Assert.True(found.Count == 1, $"expected one {type.Code()} for {worker ?? "anyone"}, got: {alerts.Summary()}");
        return found[0];
    }

    public static void Types(this IReadOnlyList<Alert> alerts, params AlertType[] expected) =>
        Assert.True(alerts.Select(a => a.Type).Order().SequenceEqual(expected.Order()), $"expected [{string.Join(", ", expected.Select(t => t.Code()))}], got: {alerts.Summary()}");
}
