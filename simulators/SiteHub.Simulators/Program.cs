using System.CommandLine;
using SiteHub.Hub.Reconciliation;
using SiteHub.Simulators.Bank;
using SiteHub.Simulators.Demo;
using SiteHub.Simulators.Fleet;
using SiteHub.Simulators.Load;

var root = new RootCommand("SiteHub simulators: simulated sites, the demo and the load driver.");

var devices = new Option<int>("--devices") { Description = "Face terminals at the site", DefaultValueFactory = _ => 4 };
var workers = new Option<int>("--workers") { Description = "Workers on the roster", DefaultValueFactory = _ => 120 };
var dayMinutes = new Option<double>("--day-minutes") { Description = "Real minutes one simulated working day takes", DefaultValueFactory = _ => 5 };
var dataPath = new Option<string>("--data") { Description = "Folder for the demo's data", DefaultValueFactory = _ => Path.Combine("data", "demo") };
var seconds = new Option<int?>("--seconds") { Description = "Stop after this many seconds (default: run until Ctrl+C)" };
var demo = new Command("demo", "Run hub, gateway and a simulated site in one process, no setup") { devices, workers, dayMinutes, dataPath, seconds };
demo.SetAction((parse, cancellationToken) => DemoCommand.RunAsync(
    parse.GetValue(devices),
    parse.GetValue(workers),
    TimeSpan.FromMinutes(parse.GetValue(dayMinutes)),
    parse.GetValue(dataPath)!,
    parse.GetValue(seconds) is { } s ? TimeSpan.FromSeconds(s) : null,
    cancellationToken));
root.Subcommands.Add(demo);

var gatewayApi = new Option<string>("--gateway-api") { Description = "The gateway's REST base URL", DefaultValueFactory = _ => "http://127.0.0.1:8081" };
var adminPassword = new Option<string>("--admin-password") { Description = "The gateway's admin password", Required = true };
var brokerHost = new Option<string>("--broker-host") { Description = "The site broker's host", DefaultValueFactory = _ => "127.0.0.1" };
var brokerPort = new Option<int>("--broker-port") { Description = "The site broker's port", DefaultValueFactory = _ => 1883 };
var fleet = new Command("fleet", "Register simulated face terminals at a running gateway and run a site's working days")
{
    gatewayApi, adminPassword, brokerHost, brokerPort, devices, workers, dayMinutes,
};
fleet.SetAction((parse, cancellationToken) => FleetCommand.RunAsync(
    parse.GetValue(gatewayApi)!,
    parse.GetValue(adminPassword)!,
    parse.GetValue(brokerHost)!,
    parse.GetValue(brokerPort),
    parse.GetValue(devices),
    parse.GetValue(workers),
    TimeSpan.FromMinutes(parse.GetValue(dayMinutes)),
    cancellationToken));
root.Subcommands.Add(fleet);

var loadRate = new Option<double>("--rate") { Description = "Punches per second offered (all devices together)", DefaultValueFactory = _ => 1000 };
var loadDuration = new Option<double>("--duration") { Description = "Seconds to offer punches", DefaultValueFactory = _ => 10 };
var loadBatch = new Option<int>("--batch") { Description = "Most punches per MQTT message (1: one per message; up to 200 for cache replay)", DefaultValueFactory = _ => 1 };
var loadProtocol = new Option<string>("--protocol") { Description = "Device protocol (sitehub-v1)", DefaultValueFactory = _ => "sitehub-v1" };
var loadGatewayApi = new Option<string?>("--gateway") { Description = "A running gateway's REST URL (default: hub and gateway in this process)" };
var loadBroker = new Option<string?>("--broker") { Description = "With --gateway: its site broker host:port" };
var loadPassword = new Option<string?>("--admin-password") { Description = "With --gateway: its admin password" };
var loadOut = new Option<string?>("--out") { Description = "Write the results as JSON to this file" };
var loadBaselines = new Option<bool>("--baselines") { Description = "Also measure, in the same run, a bare MQTTnet broker and LiteDB's raw durable inserts for the same load" };
var loadDevices = new Option<int>("--devices") { Description = "Simulated terminals", DefaultValueFactory = _ => 100 };
var loadGatewayProcess = new Option<bool>("--gateway-process") { Description = "Run the gateway as its own process, so its CPU and memory are measured apart from the driver and the hub" };
var loadNoHub = new Option<bool>("--no-hub") { Description = "Never start the hub: measure the gateway's durable ingest alone (its backlog just grows)" };
var loadReplay = new Option<int>("--replay") { Description = "Punches to buffer at the gateway while the hub is down; the hub then starts with the live load and the drain is timed", DefaultValueFactory = _ => 0 };
var loadWarmup = new Option<int>("--warmup") { Description = "Seconds of the same load before the measured run (not counted: start-up and JIT), then the counts start again", DefaultValueFactory = _ => 0 };
var load = new Command("load", "Benchmark: drive a gateway with simulated terminals and measure acks, latency, CPU, memory, backlog")
{
    loadDevices, loadRate, loadDuration, loadBatch, loadProtocol, loadGatewayApi, loadBroker, loadPassword, loadOut, loadBaselines, loadGatewayProcess, loadReplay, loadNoHub, loadWarmup,
};
load.SetAction((parse, cancellationToken) => parse.GetValue(loadProtocol) != "sitehub-v1"
    ? Task.FromResult(Fail("load drives sitehub-v1 terminals only so far"))
    : LoadCommand.RunAsync(
        new LoadSettings(parse.GetValue(loadDevices), parse.GetValue(loadRate), TimeSpan.FromSeconds(parse.GetValue(loadDuration)), parse.GetValue(loadBatch))
        {
            GatewayApiUrl = parse.GetValue(loadGatewayApi),
            AdminPassword = parse.GetValue(loadPassword),
            Broker = parse.GetValue(loadBroker),
            GatewayProcess = parse.GetValue(loadGatewayProcess),
            Replay = parse.GetValue(loadReplay),
            NoHub = parse.GetValue(loadNoHub),
            Warmup = TimeSpan.FromSeconds(parse.GetValue(loadWarmup)),
        },
        parse.GetValue(loadBaselines),
        parse.GetValue(loadOut),
        cancellationToken));
root.Subcommands.Add(load);

var bankSeed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
var bankWorkers = new Option<int>("--workers") { Description = "Workers on the roster (at least 12)", DefaultValueFactory = _ => 120 };
var bankMonth = new Option<string>("--month") { Description = "Wage month YYYY-MM", DefaultValueFactory = _ => "2024-03" };
var bankOut = new Option<string>("--out") { Description = "Folder for projects/roster/punches/payouts.csv and expected-alerts.jsonl", DefaultValueFactory = _ => Path.Combine("data", "bank") };
var bank = new Command("bank", "Write a month of attendance and the bank's payouts.csv with planted anomalies, and the alerts they must raise") { bankSeed, bankWorkers, bankMonth, bankOut };
bank.SetAction(async (parse, cancellationToken) =>
{
    if (!YearMonth.TryParse(parse.GetValue(bankMonth), out var wageMonth) || parse.GetValue(bankWorkers) < 12)
    {
        await Console.Error.WriteLineAsync("bank: --month must be YYYY-MM and --workers at least 12");
        return 1;
    }

    var generated = BankSimulator.Generate(parse.GetValue(bankSeed), parse.GetValue(bankWorkers), wageMonth);
    await BankSimulator.WriteAsync(generated, parse.GetValue(bankOut)!, cancellationToken);
    Console.WriteLine($"{generated.Expected.Count} planted alerts; reconcile with --as-of {generated.AsOf:yyyy-MM-dd}");
    return 0;
});
root.Subcommands.Add(bank);

return await root.Parse(args).InvokeAsync();

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}
