using DataMeesh.Seeder;

return await SeederCommand.RunAsync(args);
