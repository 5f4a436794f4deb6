using System.CommandLine;
using SiteHub.Simulators.Demo;

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

return await root.Parse(args).InvokeAsync();
