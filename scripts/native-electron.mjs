console.log("native-electron placeholder during bootstrap")
